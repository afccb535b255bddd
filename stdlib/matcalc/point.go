package matcalc

import (
	"fmt"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// kind is the Go type of a point, with its shape.
type kind int

const (
	scalarKind kind = iota // float64
	sliceKind              // []float64
	vectorKind             // *mat.VecDense
	matrixKind             // *mat.Dense
)

// shape describes a point: its kind and dimensions; its coordinates are vec of it.
type shape struct {
	kind       kind
	rows, cols int
}

func (s shape) size() int { return s.rows * s.cols }

func (s shape) String() string {
	switch s.kind {
	case scalarKind:
		return "float64"
	case sliceKind:
		return fmt.Sprintf("[]float64 of length %d", s.rows)
	case vectorKind:
		return fmt.Sprintf("*mat.VecDense of length %d", s.rows)
	}
	return fmt.Sprintf("%d×%d *mat.Dense", s.rows, s.cols)
}

// vec returns the coordinates of point p (matrices column by column) and its shape.
func vec(p any) ([]float64, shape, error) {
	switch p := p.(type) {
	case float64:
		return []float64{p}, shape{scalarKind, 1, 1}, nil
	case int:
		return []float64{float64(p)}, shape{scalarKind, 1, 1}, nil
	case []float64:
		return append([]float64(nil), p...), shape{sliceKind, len(p), 1}, nil
	case *mat.VecDense:
		n := p.Len()
		out := make([]float64, n)
		for i := range out {
			out[i] = p.AtVec(i)
		}
		return out, shape{vectorKind, n, 1}, nil
	case mat.Matrix:
		r, c := p.Dims()
		out := make([]float64, 0, r*c)
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				out = append(out, p.At(i, j))
			}
		}
		return out, shape{matrixKind, r, c}, nil
	}
	return nil, shape{}, fmt.Errorf("%T is not a point (want float64, []float64, *mat.VecDense or *mat.Dense)", p)
}

// point builds the point of shape s from its coordinates.
func (s shape) point(v []float64) any {
	switch s.kind {
	case scalarKind:
		return v[0]
	case sliceKind:
		return append([]float64(nil), v...)
	case vectorKind:
		return mat.NewVecDense(s.rows, append([]float64(nil), v...))
	}
	m := mat.NewDense(s.rows, s.cols, nil)
	for j := 0; j < s.cols; j++ {
		for i := 0; i < s.rows; i++ {
			m.Set(i, j, v[j*s.rows+i])
		}
	}
	return m
}

// value converts a point to the reflect.Value a parameter of type t takes.
func (s shape) value(v []float64, t reflect.Type) (reflect.Value, bool) {
	p := reflect.ValueOf(s.point(v))
	switch {
	case p.Type().AssignableTo(t):
		return p, true
	case p.Type().ConvertibleTo(t):
		return p.Convert(t), true
	}
	return reflect.Value{}, false
}
